#!/bin/sh
# Converts FEBRL 4 (dataset4a.csv, dataset4b.csv; FEBRL, Australian National University; via the Python Record
# Linkage Toolkit) into the input of `gateway link`: one JSON object per record and a truth file.
#
# Usage: ops/bench/febrl_to_jsonl.sh DATA_DIR RECORDS.jsonl TRUTH.csv
#
#   RECORDS.jsonl  {"source":"dataset4a","source_id":"rec-1070-org","given_name":"michaela",...} per line: source
#                  is the file's name, source_id the rec_id, every other column a string member (trimmed; a missing
#                  value is "").
#   TRUTH.csv      source,source_id,entity_id, where entity_id is N of rec-N-org / rec-N-dup-k.
#
# The files have a space after every comma, no quoted fields, and dataset4a.csv has no newline after its last row.
# The column names are read from each file's header. POSIX sh and awk only (mawk, gawk or busybox awk).
set -eu

if [ "$#" -ne 3 ]; then
    echo "usage: $0 DATA_DIR RECORDS.jsonl TRUTH.csv" >&2
    exit 64
fi
data=$1
records=$2
truth=$3
for name in dataset4a dataset4b; do
    if [ ! -r "$data/$name.csv" ]; then
        echo "$0: $data/$name.csv: cannot read" >&2
        exit 66
    fi
done

: >"$records"
echo "source,source_id,entity_id" >"$truth"
for name in dataset4a dataset4b; do
    awk -F',' -v source="$name" -v records="$records" -v truth="$truth" '
        function trim(s) {
            sub(/^[ \t\r]+/, "", s)
            sub(/[ \t\r]+$/, "", s)
            return s
        }
        function json(s) {
            gsub(/\\/, "\\\\", s)
            gsub(/"/, "\\\"", s)
            gsub(/\t/, "\\t", s)
            return "\"" s "\""
        }
        NR == 1 {
            for (i = 1; i <= NF; ++i) {
                column[i] = trim($i)
                if (column[i] == "rec_id") id_column = i
            }
            columns = NF
            if (!id_column) {
                print FILENAME ": no rec_id column in the header" > "/dev/stderr"
                failed = 1
                exit 1
            }
            next
        }
        {
            line = $0
            if (trim(line) == "") next
            if (NF != columns) {
                print FILENAME ":" NR ": " NF " fields, the header has " columns > "/dev/stderr"
                failed = 1
                exit 1
            }
            id = trim($id_column)
            out = "{\"source\":" json(source) ",\"source_id\":" json(id)
            for (i = 1; i <= NF; ++i) {
                if (i != id_column) out = out "," json(column[i]) ":" json(trim($i))
            }
            print out "}" >> records
            if (!match(id, /^rec-[0-9]+-/)) {
                print FILENAME ":" NR ": rec_id \"" id "\" is not rec-N-..." > "/dev/stderr"
                failed = 1
                exit 1
            }
            print source "," id "," substr(id, 5, RLENGTH - 5) >> truth
        }
        END { if (failed) exit 1 }
    ' "$data/$name.csv"
done
