#!/usr/bin/env bash
# Regenerates the console screenshots in docs/console/ (linked from the
# README): runs the console's browser test (headless chromium against the
# real binary: TestConsoleInBrowser, TestConsoleWorkspace and TestConsolePagingAndCapturedMail) with DESKGATE_SCREENSHOTS pointing there. Needs chromium
# (scripts/test installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/console
DESKGATE_SCREENSHOTS="$PWD/docs/console" go test -count=1 -run 'TestConsoleInBrowser$|TestConsoleWorkspace$|TestConsolePagingAndCapturedMail$' ./cmd/deskgate/
ls -l docs/console
