#!/usr/bin/env python3
"""Print "PASSED FAILED" test-case counts from a JUnit/xUnit XML report (0 1 if it is missing or unreadable)."""
import sys
import xml.etree.ElementTree as ElementTree

try:
    cases = list(ElementTree.parse(sys.argv[1]).getroot().iter("testcase"))
except (OSError, ElementTree.ParseError, IndexError):
    print(0, 1)
    sys.exit(0)
bad = sum(1 for case in cases if case.find("failure") is not None or case.find("error") is not None)
skipped = sum(1 for case in cases if case.find("skipped") is not None)
print(len(cases) - bad - skipped, bad)
