# KV260 (Zynq UltraScale+ XCK26) block design, implementation and bitstream
# for tern_top (docs/fpga.md). Needs Vivado (2022.2 or later); from the
# repository root:
#
#   vivado -mode batch -source fpga/kv260/tern_kv260.tcl [-tclargs OUTDIR [PL_MHZ [JOBS]]]
#
# OUTDIR defaults to fpga/build/kv260/vivado, PL_MHZ (pl_clk0) to 250, JOBS
# to 2. Writes OUTDIR/tern_kv260.bit, tern_kv260.bit.bin (for the Linux FPGA
# manager: fpgautil / xmutil), tern_kv260.xsa, utilization and timing
# reports; fails when timing is not met. The device-tree overlay for the uio
# driver backend is fpga/kv260/tern_kv260.dtso (make fpga-dtbo).
#
# Block design:
#   zynq_ultra_ps_e  M_AXI_HPM0_FPD -> sc_lite (SmartConnect) -> tern/s_axi_lite
#                    (register window TernRegBase, TernRegRange)
#   tern/m_axi -> sc_mem (SmartConnect) -> S_AXI_HP0_FPD (128 bit, DDR)
#   tern/irq -> pl_ps_irq0[0] (GIC SPI 89, level high)
#   pl_clk0 (PL_MHZ) clocks everything; proc_sys_reset from pl_resetn0.
# tern's parameters come from fpga/kv260/tern_kv260.cfg; fpga/flow/kv260_drift.py
# (make test) checks this script, the wrapper and the overlay against
# rtl/top/tern_top.sv.

set TernRegBase  0xA0000000
set TernRegRange 4K
set TernIrqSpi   89

set root [file normalize [file join [file dirname [info script]] .. ..]]
set out  [file normalize [expr {[llength $argv] > 0 ? [lindex $argv 0] : "$root/fpga/build/kv260/vivado"}]]
set pl_mhz [expr {[llength $argv] > 1 ? [lindex $argv 1] : 250}]
set jobs   [expr {[llength $argv] > 2 ? [lindex $argv 2] : 2}]
set part xck26-sfvc784-2LV-c

# tern_top's RTL, packages first (the list of mk/common.mk TOP_RTL)
set tern_rtl {
  rtl/regs/gen/tern_regs_pkg.sv
  rtl/regs/gen/tern_regs.sv
  rtl/axi/tern_axi_pkg.sv
  rtl/axi/tern_axi_fifo.sv
  rtl/axi/tern_axi_fifo_ram.sv
  rtl/axi/tern_axi_split.sv
  rtl/axi/tern_axi_rd.sv
  rtl/axi/tern_axi_wr.sv
  rtl/top/tern_top_muldiv.sv
  rtl/top/tern_top_gearbox.sv
  rtl/top/tern_top_reswr.sv
  rtl/top/tern_top.sv
}
# the engine: every file of rtl/engine/
set engine_rtl [lsort [glob -directory $root/rtl/engine *.sv]]

# Key=Value lines of the parameter file -> dict
proc read_cfg {path} {
  set d [dict create]
  set f [open $path r]
  while {[gets $f line] >= 0} {
    if {[regexp {^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*([0-9]+)} $line -> k v]} { dict set d $k $v }
  }
  close $f
  return $d
}
set params [read_cfg $root/fpga/kv260/tern_kv260.cfg]

file mkdir $out
create_project -force tern_kv260 $out/proj -part $part
# the KV260 board files, when installed, give the PS its DDR/MIO presets
set board [lindex [lsort [get_board_parts -quiet *kv260_som*]] end]
if {$board ne ""} { set_property board_part $board [current_project] }

set srcs {}
foreach f $tern_rtl { lappend srcs $root/$f }
set srcs [concat [lrange $srcs 0 7] $engine_rtl [lrange $srcs 8 end]]
add_files -norecurse $srcs
set_property file_type SystemVerilog [get_files *.sv]
add_files -norecurse $root/fpga/kv260/tern_kv260_wrap.v
update_compile_order -fileset sources_1

# ---- block design -------------------------------------------------------------
create_bd_design tern_bd
set ps [create_bd_cell -type ip -vlnv xilinx.com:ip:zynq_ultra_ps_e ps]
if {$board ne ""} {
  apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e -config {apply_board_preset 1} $ps
}
# HPM0_FPD = M_AXI_GP0, HP0_FPD = S_AXI_GP2 in the PS configuration names
set_property -dict [list \
  CONFIG.PSU__USE__M_AXI_GP0 {1} CONFIG.PSU__MAXIGP0__DATA_WIDTH {32} \
  CONFIG.PSU__USE__M_AXI_GP1 {0} CONFIG.PSU__USE__M_AXI_GP2 {0} \
  CONFIG.PSU__USE__S_AXI_GP2 {1} CONFIG.PSU__SAXIGP2__DATA_WIDTH [expr {8 * [dict get $params BusBytes]}] \
  CONFIG.PSU__FPGA_PL0_ENABLE {1} CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $pl_mhz \
  CONFIG.PSU__USE__IRQ0 {1} \
] $ps

set tern [create_bd_cell -type module -reference tern_kv260_wrap tern]
set cfg {}
dict for {k v} $params { lappend cfg CONFIG.$k $v }
set_property -dict $cfg $tern

set rst [create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset rst_pl]
set sc_lite [create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect sc_lite]
set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $sc_lite
set sc_mem [create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect sc_mem]
set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] $sc_mem

connect_bd_intf_net [get_bd_intf_pins ps/M_AXI_HPM0_FPD] [get_bd_intf_pins sc_lite/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins sc_lite/M00_AXI] [get_bd_intf_pins tern/s_axi_lite]
connect_bd_intf_net [get_bd_intf_pins tern/m_axi] [get_bd_intf_pins sc_mem/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins sc_mem/M00_AXI] [get_bd_intf_pins ps/S_AXI_HP0_FPD]

set clk [get_bd_pins ps/pl_clk0]
connect_bd_net $clk [get_bd_pins ps/maxihpm0_fpd_aclk] [get_bd_pins ps/saxihp0_fpd_aclk] \
  [get_bd_pins tern/aclk] [get_bd_pins sc_lite/aclk] [get_bd_pins sc_mem/aclk] \
  [get_bd_pins rst_pl/slowest_sync_clk]
connect_bd_net [get_bd_pins ps/pl_resetn0] [get_bd_pins rst_pl/ext_reset_in]
connect_bd_net [get_bd_pins rst_pl/peripheral_aresetn] [get_bd_pins tern/aresetn]
connect_bd_net [get_bd_pins rst_pl/interconnect_aresetn] [get_bd_pins sc_lite/aresetn] \
  [get_bd_pins sc_mem/aresetn]
connect_bd_net [get_bd_pins tern/irq] [get_bd_pins ps/pl_ps_irq0]

# address map: the register window where the overlay says; the master sees DDR
assign_bd_address -offset $TernRegBase -range $TernRegRange \
  -target_address_space [get_bd_addr_spaces ps/Data] [get_bd_addr_segs tern/s_axi_lite/*]
assign_bd_address -target_address_space [get_bd_addr_spaces tern/m_axi] \
  [get_bd_addr_segs -quiet {ps/SAXIGP2/HP0_DDR_LOW ps/SAXIGP2/HP0_DDR_HIGH}]
assign_bd_address

validate_bd_design
save_bd_design
set bd [get_files tern_bd.bd]
generate_target all $bd
set wrapper [make_wrapper -files $bd -top]
add_files -norecurse $wrapper
set_property top tern_bd_wrapper [current_fileset]
update_compile_order -fileset sources_1

# ---- implementation ---------------------------------------------------------------
set_property strategy Performance_ExplorePostRoutePhysOpt [get_runs impl_1]
launch_runs synth_1 -jobs $jobs
wait_on_run synth_1
if {[get_property PROGRESS [get_runs synth_1]] ne "100%"} { error "tern: synthesis failed" }
launch_runs impl_1 -to_step write_bitstream -jobs $jobs
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} { error "tern: implementation failed" }

open_run impl_1
report_utilization -hierarchical -file $out/utilization_hier.txt
report_utilization -file $out/utilization.txt
report_timing_summary -max_paths 20 -file $out/timing_summary.txt
set wns [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]]
set whs [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -hold]]
puts "tern: WNS $wns ns, WHS $whs ns at $pl_mhz MHz"

set bit [lindex [glob $out/proj/tern_kv260.runs/impl_1/*.bit] 0]
file copy -force $bit $out/tern_kv260.bit
# .bit.bin for the Linux FPGA manager (fpgautil -b, xmutil loadapp)
write_cfgmem -force -format BIN -interface SMAPx32 -disablebitswap \
  -loadbit "up 0x0 $out/tern_kv260.bit" $out/tern_kv260.bin
file rename -force $out/tern_kv260.bin $out/tern_kv260.bit.bin
write_hw_platform -fixed -include_bit -force $out/tern_kv260.xsa
puts "tern: $out/tern_kv260.bit, tern_kv260.bit.bin, tern_kv260.xsa"
if {$wns < 0 || $whs < 0} { error "tern: timing not met at $pl_mhz MHz (WNS $wns, WHS $whs)" }
