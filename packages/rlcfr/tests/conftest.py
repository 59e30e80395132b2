from paperkit import set_threads

set_threads(1)
