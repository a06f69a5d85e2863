# make fpga TARGET=kv260: Yosys synth_xilinx -family xcup utilization of the
# accelerator top (tern_top through the block-design wrapper). Place, route
# and bitstream: Vivado, fpga/kv260/tern_kv260.tcl (docs/fpga.md).
FAMILY=xcup
TOP=tern_kv260_wrap
ENGINE_CFG=fpga/kv260/tern_kv260.cfg
BOARD_RTL="fpga/kv260/tern_kv260_wrap.v"
