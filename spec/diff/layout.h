/* Shared layout of the differential-test harness (mirrored in spec/diff/layout.ts). */
#ifndef DIFF_LAYOUT_H
#define DIFF_LAYOUT_H

/* Three pages: readable data, the RWX test page, readable data (both never executable, so
 * falling or branching out of the test page faults with the exact target PC). */
#define CODE_REGION 0x70000000u
#define CODE_PAGE (CODE_REGION + 0x1000u)
/* Three read-write scratch pages; memory rows get bases inside the middle one. */
#define SCRATCH_REGION 0x70100000u
#define REGION_BYTES 0x3000u

#define IN_MAGIC 0x31464441u  /* "ADF1" */
#define OUT_MAGIC 0x53455244u /* "DRES" */
#define MAX_CODE 16
#define MAX_CHANGES 1024

/* Fill words of the test page around the code: UDF in ARM and in Thumb. */
#define ARM_FILL 0xe7f000f0u
#define THUMB_FILL 0xde00de00u

/* Seed of the fixed contents of the two data pages around the test page. */
#define CODE_DATA_SEED 0x9e3779b9u

#endif
