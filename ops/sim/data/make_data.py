#!/usr/bin/env python3
"""Derives the small name and homophone tables in this folder from the project's shared reference data.

Run by hand when the reference data changes; the simulator never reads the shared folder itself:

    python3 ops/sim/data/make_data.py ../shared/data

Only sources with permissive licences are used (see README.md in this folder): the wainshine surname corpus
(Apache-2.0), the faker zh_CN given names (MIT), the wainshine given-name characters (Apache-2.0) and the
mozillazg pinyin-data readings (MIT).
"""
import csv
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))[1:]


def strip_tone(syllable):
    decomposed = unicodedata.normalize("NFD", syllable)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn" or c == "\u0308")
    return unicodedata.normalize("NFC", kept)


def read_readings(path):
    readings = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or ":" not in line:
                continue
            code, rest = line.split(":", 1)
            char = chr(int(code.strip()[2:], 16))
            reading = rest.split("#", 1)[0].strip().split(",")[0].strip()
            if reading:
                readings[char] = reading
    return readings


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/data")
    names = os.path.join(shared, "names")
    surnames = [(r[0], r[1]) for r in read_rows(os.path.join(names, "wainshine_surnames.csv"))]
    given = [(r[0], r[1]) for r in read_rows(os.path.join(names, "faker_zh_CN_given_names.csv"))]
    chars = [(r[0], r[1], r[2]) for r in read_rows(os.path.join(names, "wainshine_given_name_chars.csv"))]

    with open(os.path.join(HERE, "surnames.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("surname,weight\n")
        for surname, weight in surnames:
            f.write(f"{surname},{float(weight):g}\n")
    with open(os.path.join(HERE, "given_names.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("given_name,gender\n")
        for name, gender in given:
            f.write(f"{name},{gender}\n")
    with open(os.path.join(HERE, "given_chars.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("char,gender,position\n")
        for char, gender, position in chars:
            f.write(f"{char},{gender},{position}\n")

    pool = set()
    for surname, _ in surnames[:400]:
        pool.update(surname)
    for name, _ in given:
        pool.update(name)
    for char, _, _ in chars:
        pool.update(char)
    for row in read_rows(os.path.join(HERE, "parent_given_names.csv")):
        pool.update(row[0])

    readings = read_readings(os.path.join(shared, "pinyin", "kMandarin_8105.txt"))
    by_reading = {}
    by_toneless = {}
    for char, reading in readings.items():
        if len(char.encode("utf-8")) != 3:
            continue
        by_reading.setdefault(reading, []).append(char)
        by_toneless.setdefault(strip_tone(reading), []).append(char)

    with open(os.path.join(HERE, "homophones.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("char,alternatives\n")
        for char in sorted(pool):
            reading = readings.get(char)
            if not reading:
                continue
            same_tone = [c for c in by_reading.get(reading, []) if c != char]
            toneless = [c for c in by_toneless.get(strip_tone(reading), []) if c != char and c not in same_tone]
            ranked = ([c for c in same_tone if c in pool] + [c for c in toneless if c in pool] +
                      [c for c in same_tone if c not in pool])
            alternatives = ranked[:4]
            if alternatives:
                f.write(f"{char},{''.join(alternatives)}\n")


if __name__ == "__main__":
    main()
