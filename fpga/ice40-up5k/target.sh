# make fpga TARGET=ice40-up5k: iCEBreaker (iCE40UP5K-SG48), self-test top.
FAMILY=ice40
TOP=tern_up5k_top
BOARD_RTL="fpga/flow/tern_fpga_rom_stream.sv fpga/flow/tern_fpga_selftest.sv fpga/ice40-up5k/tern_up5k_top.sv"
CONSTR=fpga/ice40-up5k/icebreaker.pcf
# job: format rows K batch seed (fpga/flow/tern_fpga_job.c)
JOB="both 12 100 1 1"
# nextpnr target clock in MHz; the board runs at the oscillator's 6 MHz
FREQ=12
MIN_FREQ=6
