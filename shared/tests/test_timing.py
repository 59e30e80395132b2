import pytest

from paperkit.timing import ArmTiming, time_arms


def test_every_arm_runs_once_per_rep_in_rotating_order():
    calls: list[str] = []
    t = time_arms({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, reps=4)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert [len(t[n].walls) for n in "ab"] == [4, 4] and [len(t[n].cpus) for n in "ab"] == [4, 4]


def test_slower_arm_has_the_larger_median():
    def spin(n: int) -> None:
        sum(i * i for i in range(n))

    t = time_arms({"slow": lambda: spin(200_000), "fast": lambda: spin(2_000)}, reps=3)
    assert t["slow"].cpu > t["fast"].cpu and t["slow"].wall > t["fast"].wall


def test_medians_and_rates():
    arm = ArmTiming(walls=[1.0, 4.0, 2.0], cpus=[0.5, 0.5, 3.0])
    assert arm.wall == 2.0 and arm.cpu == 0.5
    assert arm.rate(10) == 5.0 and arm.rate(10, "cpu") == 20.0
    with pytest.raises(ValueError, match="clock"):
        arm.rate(1, "gpu")


@pytest.mark.parametrize("arms,reps,msg", [({"a": lambda: None}, 0, "reps"), ({}, 1, "at least one")])
def test_bad_input_is_named(arms, reps, msg):
    with pytest.raises(ValueError, match=msg):
        time_arms(arms, reps)
