"""Runs every test_* function of test_check_attention.py without pytest (which may not be installed)."""
import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_check_attention as tests  # noqa: E402

failed = 0
names = [name for name in dir(tests) if name.startswith("test_")]
for name in names:
    try:
        getattr(tests, name)()
        print(f"ok {name}")
    except Exception:  # report every failure, then exit non-zero
        failed += 1
        print(f"FAIL {name}\n{traceback.format_exc()}")
print(f"{len(names) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
