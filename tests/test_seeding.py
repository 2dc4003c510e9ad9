"""seeding.thread_generator: a thread's own stream for a while, the package generator untouched."""
import threading

import numpy

import neuroflow
from neuroflow import seeding


def test_thread_generator_replaces_the_package_generator_inside_the_block_only():
    neuroflow.set_random_seed(7)
    expected_outside = seeding.generator().integers(0, 1000, 5)
    neuroflow.set_random_seed(7)
    with seeding.thread_generator(3):
        inside = seeding.generator().integers(0, 1000, 5)
        inside_seed = seeding.make_seed()
    outside = seeding.generator().integers(0, 1000, 5)
    reference = numpy.random.default_rng(3)
    assert list(inside) == list(reference.integers(0, 1000, 5))
    assert inside_seed == int(reference.integers(0, 2**31 - 1))
    assert list(outside) == list(expected_outside)


def test_threads_inside_their_blocks_do_not_disturb_each_other():
    """Two threads drawing alternately from their own seeded streams get what each would get alone."""
    draws, turns = {}, [threading.Event(), threading.Event()]

    def draw(index):
        with seeding.thread_generator(index):
            values = []
            for _ in range(4):
                turns[index].wait(5)
                turns[index].clear()
                values.append(float(seeding.generator().random()))
                turns[1 - index].set()
            draws[index] = values

    threads = [threading.Thread(target=draw, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    turns[0].set()
    for thread in threads:
        thread.join(10)
    assert draws == {index: list(numpy.random.default_rng(index).random(4)) for index in (0, 1)}
