# Sums a Yosys `stat` report (Yosys 0.23 "name count" or 0.4x+ "count name"
# lines) into resource classes. LUT-based RAM is counted in LUT sites:
# RAM32M/RAM64M = 4, RAM32M16/RAM64M8 = 8, RAM32X1D/RAM64X1D = 2,
# RAM128X1D = 4, RAM256X1D = 8, xS singles 1..8 by depth, SRL = 1.
# Output: one line "lut=N ff=N carry=N lutram_luts=N bram=N dsp=N mux=N other=N".
function add(name, n) {
  if (name ~ /^(LUT[1-6]|INV|SB_LUT4|LUT4)$/) lut += n
  else if (name ~ /^(FD[CPRS]E?|FDRE|FDSE|FDCE|FDPE|SB_DFF.*|TRELLIS_FF|\$_.*DFF.*)$/) ff += n
  else if (name ~ /^(CARRY4|CARRY8|SB_CARRY|CCU2C)$/) { carry += n; if (name == "CCU2C") lut += 2 * n }
  else if (name ~ /^(RAM32M|RAM64M)$/) lutram += 4 * n
  else if (name ~ /^(RAM32M16|RAM64M8)$/) lutram += 8 * n
  else if (name ~ /^(RAM32X1D|RAM64X1D)$/) lutram += 2 * n
  else if (name == "RAM128X1D") lutram += 4 * n
  else if (name == "RAM256X1D") lutram += 8 * n
  else if (name ~ /^(RAM32X1S|RAM64X1S|SRL16E|SRLC16E|SRLC32E)$/) lutram += n
  else if (name == "RAM128X1S") lutram += 2 * n
  else if (name == "RAM256X1S") lutram += 4 * n
  else if (name == "RAM512X1S") lutram += 8 * n
  else if (name == "TRELLIS_DPR16X4") lutram += 4 * n  # 16x4 LUTRAM: 4 LUT4 sites (one SLICE pair)
  else if (name ~ /^(RAMB18E1|RAMB18E2|SB_RAM40_4K|DP16KD|PDPW16KD)$/) bram += n
  else if (name ~ /^(RAMB36E1|RAMB36E2)$/) bram += 2 * n  # in 18 Kb units
  else if (name == "URAM288") uram += n
  else if (name ~ /^(DSP48E1|DSP48E2|SB_MAC16|MULT18X18D|ALU54B|\$mul|\$macc)$/) dsp += n
  else if (name ~ /^(MUXF7|MUXF8|MUXF9|PFUMX|L6MUX21)$/) mux += n
  else if (name ~ /^(\$scopeinfo|BUFG|IBUF|OBUF|SB_IO|SB_GB)$/) ;
  else if (name ~ /^[A-Z$]/) other += n
}
/^ *[0-9]+ +[A-Za-z$][A-Za-z0-9_$]*$/ { add($2, $1); next }
/^ *[A-Za-z$][A-Za-z0-9_$]* +[0-9]+$/ { if ($1 != "Number") add($1, $2) }
END {
  printf "lut=%d ff=%d carry=%d lutram_luts=%d bram18=%d uram=%d dsp=%d mux=%d other=%d\n",
    lut, ff, carry, lutram, bram, uram, dsp, mux, other
}
