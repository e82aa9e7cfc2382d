#!/bin/bash
# Passes when the page is in place.
grep -q "Hello from revision" /var/www/html/index.html
