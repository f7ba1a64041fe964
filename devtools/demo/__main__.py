"""`python -m devtools.demo [--host 127.0.0.1] [--port 8765] [--frozen]`: serve the demo site."""

from __future__ import annotations

import argparse
import logging

from devtools.demo.server import make_server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--frozen", action="store_true", help="counts do not grow; no new posts appear")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s demo: %(message)s")
    server = make_server(args.host, args.port, frozen=args.frozen, quiet=args.quiet)
    logging.info("demo site on http://%s:%d/ (Ctrl-C to stop)", args.host, server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
