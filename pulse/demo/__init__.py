"""The offline demo: bundled SAMPLE feeds served on 127.0.0.1, collected by the real collectors."""
