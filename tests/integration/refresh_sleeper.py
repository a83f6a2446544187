"""A stand-in refresh process for tests: reads its task, then takes far too long."""

import sys
import time

sys.stdin.buffer.read()
time.sleep(60)
