"""Development tooling, not the product: what runs the system on one machine without Docker.

- `services/`: local Kafka and Elasticsearch (fetch, start, check, stop): `yuqing services up|down|status`;
- `mailbox.py`: a local SMTP catcher that files every message under a folder: `yuqing mailbox`;
- `demo/`: a local site the crawlers are demonstrated and tested against: `python -m devtools.demo`.

The commands plug into the one CLI through the `yuqing.commands` entry points (`devtools/cli.py`), like the
stages'. This package may import the kernel (`yuqing/`); nothing of the kernel or the stages' runtime imports
it (tests/unit/test_devtools_boundary.py).
"""
