"""KS (ks_2samp, method='auto') on the samples Exactness.java wrote, to hold Keel's exact values against SciPy's."""
import sys
import numpy as np
from scipy import stats

directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/keel-drift-exactness"
print("case,scipy_ks_d,scipy_ks_p")
for n in (500, 5000, 100000):
    ref = np.loadtxt(f"{directory}/ref-{n}.txt")
    cur = np.loadtxt(f"{directory}/cur-{n}.txt")
    result = stats.ks_2samp(ref, cur)
    print(f"n={n},{result.statistic:.9f},{result.pvalue:.6e}")
