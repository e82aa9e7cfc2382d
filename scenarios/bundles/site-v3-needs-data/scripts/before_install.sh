#!/bin/bash
# Version 3 migrates the site's data in place and takes for granted that it exists: true on
# every instance that ran an earlier version, false on a new one.
set -e
yum install -y httpd
if [ ! -f /var/lib/site/data.db ]; then
  echo "migration failed: /var/lib/site/data.db does not exist" >&2
  exit 1
fi
sed -i 's/schema [0-9]*/schema 3/' /var/lib/site/data.db
