"""What the benchmarks share: starting a copy of the lab in the background."""

import json
import subprocess
import sys


def start_lab(binary, lab_dir, net):
    """Start `dnscope lab` on the /24 `net` with a free port; the process and its plan."""
    p = subprocess.Popen(
        [binary, "lab", "--json", "--port", "0", "--net", net, "--lab-dir", lab_dir],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    text = ""
    while True:
        line = p.stdout.readline()
        if not line:
            sys.exit("the lab did not start")
        text += line
        if line == "}\n":
            return p, json.loads(text)
