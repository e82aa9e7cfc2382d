#!/bin/bash
# Version 2 of the site does not start: the port is already taken.
echo "starting the web server"
systemctl restart httpd
echo "bind: address already in use" >&2
exit 1
