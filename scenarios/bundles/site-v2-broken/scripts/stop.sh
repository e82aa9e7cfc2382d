#!/bin/bash
# Stops the site's web server (the previous revision's copy of this script runs).
set -e
systemctl stop httpd
rm -f /var/run/site.status
echo "web server stopped"
