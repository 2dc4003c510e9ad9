"""The `neuroflow` console command: `neuroflow <tool> [options]` runs one of neuroflow's tools."""
import importlib
import sys

# tool name -> (module with main(argv), one line of help). A tool's module is imported only when it
# is chosen, so one tool's optional extra (the playground's web server) is not needed by another.
TOOLS = {"playground": ("neuroflow.playground.__main__", "the Neural Network Playground in the browser")}


def usage():
    lines = [f"  {name:12} {text}" for name, (_module, text) in TOOLS.items()]
    return "usage: neuroflow <tool> [options]\n\ntools:\n" + "\n".join(lines)


def main(argv=None):
    """Dispatches to a tool's `main(argv)`; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["-h"], ["--help"]):
        print(usage())
        return 0
    if not argv or argv[0] not in TOOLS:
        given = f"unknown tool {argv[0]!r}\n" if argv else ""
        print(given + usage(), file=sys.stderr)
        return 2
    module_name, _text = TOOLS[argv[0]]
    return importlib.import_module(module_name).main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
