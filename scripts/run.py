#!/usr/bin/env python3
"""Set up and run Kring on this machine: SQLite under var/, demo data on first start, web and worker.

python3 scripts/run.py            # http://127.0.0.1:8000
python3 scripts/run.py --port 8080
"""

import argparse
import os
import signal
import subprocess
import sys
import time

from _setup import PYTHON, ROOT, ensure_venv, manage


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-demo", action="store_true", help="do not build the demo world on first start")
    args = parser.parse_args()

    ensure_venv()
    env = dict(os.environ)
    manage("migrate", "--no-input", "-v0", env=env)
    manage("createcachetable", "-v0", env=env)
    manage("compile_translations", "-v0", env=env)
    if not args.no_demo:
        manage("demo_world", "--if-empty", "-v0", env=env)

    manage("schedule_reminders", "-v0", env=env)  # the worker's hourly reminder scan
    manage("schedule_access_log_retention", "-v0", env=env)  # the worker's daily access log retention
    worker = subprocess.Popen([str(PYTHON), "manage.py", "db_worker"], cwd=ROOT, env=env)
    web = subprocess.Popen(
        [str(PYTHON), "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"], cwd=ROOT, env=env
    )
    time.sleep(1.5)
    print(f"\nKring runs at http://127.0.0.1:{args.port}/  (Ctrl-C stops the web server and the worker)\n", flush=True)
    if not args.no_demo:
        manage("demo_world", "--print-logins", env=env)
    try:
        while web.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return web.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
