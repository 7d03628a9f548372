#!/bin/sh
# Lists C functions longer than MAX lines (default 80) in the files given:
# a function runs from a line that starts a definition at column 0 to the
# first "}" at column 0 after it. Exit 1 when any is found.
MAX=${MAX:-80}
awk -v max="$MAX" '
  FNR == 1 { start = 0 }
  /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ && !/^(typedef|struct|enum|union|static const|const)[^(]*=/ { if (!start) { start = FNR; name = $0 } }
  /^}/ { if (start) { len = FNR - start + 1; if (len > max) { printf "%s:%d: %d lines: %s\n", FILENAME, start, len, name; bad = 1 } start = 0 } }
  END { exit bad }' "$@"
