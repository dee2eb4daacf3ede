"""python3 -m tracker_client sync [DIR] [--server URL] [--token T]: upload runs spooled while the server was unreachable."""

import argparse
import sys

from ._http import ServerUnreachable, TrackerError
from ._run import sync


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m tracker_client")
    commands = parser.add_subparsers(dest="command", required=True)
    sync_command = commands.add_parser("sync", help="upload spooled runs (each exactly once)")
    sync_command.add_argument("dir", nargs="?", help="the spool folder (default: TRACKER_DIR or ./tracker-runs)")
    sync_command.add_argument("--server", help="default: TRACKER_SERVER, else the server the run was meant for")
    sync_command.add_argument("--token", help="default: TRACKER_TOKEN")
    args = parser.parse_args(argv)
    try:
        uploaded = sync(args.dir, server=args.server, token=args.token)
    except (TrackerError, ServerUnreachable) as error:
        print(f"sync failed: {error}", file=sys.stderr)
        return 1
    print(f"{uploaded} run(s) uploaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
