# The architecture's rules on the source tree (issue 20, docs/architecture.md):
# the command-line layer and the web never touch the database, SQL lives only
# in the modules that own tables, no file over 1,000 lines, no function over
# 120.  tests/layers.py checks them; here it runs on the tree, then on copies
# with one violation each, which it must catch.
. "$(dirname "$0")/lib.sh"

SRC="$TESTS_DIR/../src"
/usr/bin/python3 "$TESTS_DIR/layers.py" "$SRC"

# A checker that cannot fail proves nothing: break each rule in a copy.
broken() {   # broken NAME FILE TEXT: a copy of src/ with TEXT appended to FILE
    rm -rf "$work/src-$1"
    cp -r "$SRC" "$work/src-$1"
    printf '%b' "$3" >> "$work/src-$1/$2"
}
broken cli cli/cmd_show.c 'static const char *q = "SELECT id FROM email";\n'
broken web web_pages.c '#include "store_int.h"\n'
broken owner json.c 'static const char *q = "DELETE FROM email";\n'
long=$(printf '    x++;\\n%.0s' $(seq 130))
broken function buf.c "void long_one(int x)\n{\n$long}\n"
broken file text.h "$(printf '/* filler */\\n%.0s' $(seq 1000))"
for kind in cli web owner function file; do
    out=$(/usr/bin/python3 "$TESTS_DIR/layers.py" "$work/src-$kind"); rc=$?
    eq "the check catches a broken rule ($kind)" $rc 1
    case $kind in
        cli) want='cli/cmd_show.c uses SQL' ;;
        web) want='web_pages.c uses store_int.h' ;;
        owner) want='json.c has SQL but owns no table' ;;
        function) want='long_one(int x) is' ;;
        file) want='text.h has' ;;
    esac
    case "$out" in *"$want"*) pass "it names the problem ($kind)" ;;
        *) fail "it names the problem ($kind): $out" ;; esac
done
