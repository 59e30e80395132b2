"""The README's claims are well-formed data: ids unique, experiments, methods and metrics exist."""

from paperkit.claims import check_claims

from ovmse.experiments import CLAIMS, EXPERIMENTS


def test_claims_fit_the_experiments():
    check_claims(CLAIMS, EXPERIMENTS)
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)
    headroom = {c.id for c in CLAIMS if c.headroom}
    assert headroom and all(c.requires in headroom for c in CLAIMS if c.requires)
