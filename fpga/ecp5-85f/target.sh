# make fpga TARGET=ecp5-85f: ULX3S (LFE5U-85F-6BG381C), self-test top at 100 MHz.
FAMILY=ecp5
TOP=tern_ulx3s_top
BOARD_RTL="fpga/flow/tern_fpga_rom_stream.sv fpga/flow/tern_fpga_selftest.sv fpga/ecp5-85f/tern_ulx3s_top.sv"
CONSTR=fpga/ecp5-85f/ulx3s.lpf
JOB="both 24 200 2 1"
# board clock (PLL output, ClkMHz of the top; FPGA_CLK_MHZ=50 make fpga ...
# for a slower one): nextpnr's target, and the build fails below it
FREQ=${FPGA_CLK_MHZ:-100}
MIN_FREQ=$FREQ
BOARD_PARAMS="ClkMHz=$FREQ"
# router2 (router1 stalls on the congestion around the LUT-RAM tables) with
# timing-driven rip-up: about 10% of Fmax on this design
PNR_ARGS="--router router2 --tmg-ripup"
