"""The template generator of models/data/tourism_posts.jsonl: families of posts, places and platform
furniture composed by build.py (see models/data/README.md)."""
