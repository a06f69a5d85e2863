# Reads a Yosys RTLIL dump of the arithmetic cells of a coarse netlist
# (dump t:$mul t:$macc t:$div t:$mod t:$divfloor t:$modfloor t:$pow) and
# prints "CONST_MUL BAD": $mul cells with a constant operand (an index
# times a parameter: shifts and adds after mapping, allowed) and every
# other cell (a real multiplier, divider, modulo or power: not allowed).
/^ *cell /{ if (t != "") done(); t = $2; nc = 0; next }
/^ *connect \\[AB] [0-9]+\x27[01xz]+$/{ nc++ }
function done() { if (t == "$mul" && nc >= 1) c++; else b++ }
END{ if (t != "") done(); print c + 0, b + 0 }
