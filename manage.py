#!/usr/bin/env python3
"""Django's command-line utility; `shopdesk` is the same with the settings preset."""

from shopdesk.cli import main

if __name__ == "__main__":
    main()
