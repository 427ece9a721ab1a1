# Turns the Markdown configuration reference that tests/config_reference
# prints (from the config key table) into man(7) markup for sendsentry.conf(5),
# so the manual and the table cannot drift apart.
function roff(s) { gsub(/\\/, "\\e", s); gsub(/`/, "", s); return s }
/^### \[/ { sub(/^### /, ""); print ".SS " $0; next }
/^\| `/ {
    n = split($0, c, "|")
    key = roff(c[2]); type = roff(c[3]); def = roff(c[4]); range = roff(c[5]); help = roff(c[6])
    gsub(/^ +| +$/, "", key); gsub(/^ +| +$/, "", type); gsub(/^ +| +$/, "", def)
    gsub(/^ +| +$/, "", range); gsub(/^ +| +$/, "", help)
    print ".TP"
    print ".B " key
    line = help "."
    line = line " Type: " type "; default: " def
    if (range != "") line = line "; " range
    print line "."
    next
}
