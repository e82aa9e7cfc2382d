#!/bin/bash
# Stopping version 3 fails: the next deployment's ApplicationStop runs this script.
echo "no such process: httpd" >&2
exit 3
