"""The terminal app (Textual). `make_app` (in `tui.app`) builds it for the CLI and the tests;
`tui.core_backend.CoreBackend` connects it to the rest of the program; `tui.demo` runs the demo.
See docs/tui.md."""
