"""`python -m neuroflow.ops.build_host_loops [--home DIR]`: compiles neuroflow's CPU loops for this machine
(ops/host_kernel_library.py) unless they are built already, and prints where the module is."""
import argparse

from neuroflow.ops import host_kernel_library


def main(argv=None):
    parser = argparse.ArgumentParser(description="Compile neuroflow's CPU loops for this machine (needs numba "
                                                 "and a C compiler; ~10 s, once).")
    parser.add_argument("--home", help="the folder to build under (default: NEUROFLOW_HOME or ~/.neuroflow)")
    arguments = parser.parse_args(argv)
    print(f"neuroflow's CPU loops: {host_kernel_library.build(arguments.home)}")


if __name__ == "__main__":
    main()
