/**
 * The constants of Anderson & Berg (ICLR 2018) and its code that more than one part of this project
 * uses, each named once with where it comes from.
 */

/** Ternary threshold of the paper's trained ternary networks (run_bnn.py, `--thresh 0.02`; gen_plots). */
export const PAPER_TERNARY_THRESHOLD = 0.02;

/** Standard deviation of the trained networks' weights (hd_figures.ipynb, "sigma" = 0.18). */
export const TRAINED_WEIGHT_SD = 0.18;

/**
 * The ternary threshold observed in trained networks in units of the weights' standard deviation:
 * 0.02 / 0.18 (hd_figures.ipynb, "emp ... empirical value threshold / sigma").
 */
export const EMPIRICAL_TERNARY_THRESHOLD = PAPER_TERNARY_THRESHOLD / TRAINED_WEIGHT_SD;

/** The slope of ln sd(angle) against ln d: the angle's spread shrinks like d^(−1/2) (section 3, figure 3). */
export const ANGLE_SPREAD_SLOPE = -0.5;
