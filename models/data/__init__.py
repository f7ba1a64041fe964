"""The project's own labelled tourism posts: generator, fragments and hand-written posts (see README.md)."""
