#!/bin/bash
# The site is healthy when the server runs and serves the page that was installed.
status=$(cat /var/run/site.status 2>/dev/null)
page=$(sed -n 's/.*site version \([0-9]*\).*/\1/p' /var/www/html/index.html)
if [ "$status" != "serving version ${page}" ]; then
  echo "health check failed: '${status:-not running}', page is version ${page:-missing}" >&2
  exit 1
fi
echo "health check passed: ${status}"
