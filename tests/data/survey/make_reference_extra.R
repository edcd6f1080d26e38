# Additional reference values for sozialmonitor.survey, computed with R's survey package.
# Run: Rscript make_reference_extra.R  (needs r-cran-survey and r-cran-jsonlite; writes reference_r_survey_extra.json)
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.replicates.mse = FALSE)
apisrs <- read.csv("apisrs.csv"); apistrat <- read.csv("apistrat.csv")
apiclus1 <- read.csv("apiclus1.csv"); apiclus2 <- read.csv("apiclus2.csv")
for (nm in c("apisrs", "apistrat", "apiclus1", "apiclus2")) {
  d <- get(nm); d$stype <- factor(d$stype); d$sch.wide <- factor(d$sch.wide); assign(nm, d)
}
dsrs <- svydesign(id = ~1, weights = ~pw, data = apisrs, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dstrat_frac <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = transform(apistrat, frac = ave(pw, stype, FUN = length) / fpc), fpc = ~frac)
dstrat_nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
dclus2_nofpc <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
jk1 <- as.svrepdesign(dclus1, type = "JK1")
jkn <- as.svrepdesign(dstrat, type = "JKn")
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch.wideYes = 5122)

stat <- function(call, s, design) {
  list(call = call, estimate = as.list(coef(s)), se = as.list(setNames(as.numeric(SE(s)), names(coef(s)))), df = degf(design))
}
byres <- function(call, b, design) {
  list(call = call, estimate = as.list(setNames(coef(b), rownames(b))),
       se = as.list(setNames(SE(b), rownames(b))), df = degf(design))
}
res <- list()
res$dstrat_fraction_mean <- stat("svymean(~api00, dstrat with fpc as sampling fraction)", svymean(~api00, dstrat_frac), dstrat_frac)
res$dstrat_nofpc_mean <- stat("svymean(~api00, dstrat_nofpc)", svymean(~api00, dstrat_nofpc), dstrat_nofpc)
res$dclus1_mean <- stat("svymean(~api00+enroll, dclus1)", svymean(~api00 + enroll, dclus1), dclus1)
res$dclus1_total <- stat("svytotal(~enroll, dclus1)", svytotal(~enroll, dclus1), dclus1)
res$dclus2_mean <- stat("svymean(~api00, dclus2)", svymean(~api00, dclus2), dclus2)
res$dclus2_mean_narm <- stat("svymean(~enroll, dclus2, na.rm=TRUE)", svymean(~enroll, dclus2, na.rm = TRUE), dclus2)
res$dclus2_total <- stat("svytotal(~enroll, dclus2, na.rm=TRUE)", svytotal(~enroll, dclus2, na.rm = TRUE), dclus2)
res$dclus2_nofpc_mean <- stat("svymean(~api00, dclus2_nofpc)", svymean(~api00, dclus2_nofpc), dclus2_nofpc)
res$dstrat_prop_schwide <- stat("svymean(~sch.wide, dstrat)", svymean(~sch.wide, dstrat), dstrat)
res$dclus1_prop_stype <- stat("svymean(~stype, dclus1)", svymean(~stype, dclus1), dclus1)
r <- svyratio(~api00, ~api99, dstrat)
res$dstrat_ratio <- list(call = "svyratio(~api00, ~api99, dstrat)", estimate = list(api00_api99 = coef(r)[[1]]), se = list(api00_api99 = SE(r)[[1]]), df = degf(dstrat))
r <- svyratio(~api00, ~api99, dclus2)
res$dclus2_ratio <- list(call = "svyratio(~api00, ~api99, dclus2)", estimate = list(api00_api99 = coef(r)[[1]]), se = list(api00_api99 = SE(r)[[1]]), df = degf(dclus2))
res$dstrat_crosstab_total <- stat("svytotal(~interaction(stype, sch.wide), dstrat)", svytotal(~interaction(stype, sch.wide), dstrat), dstrat)
res$dclus1_by_stype <- byres("svyby(~api00, ~stype, dclus1, svymean)", svyby(~api00, ~stype, dclus1, svymean), dclus1)
res$dclus2_by_stype <- byres("svyby(~api00, ~stype, dclus2, svymean)", svyby(~api00, ~stype, dclus2, svymean), dclus2)
res$dclus1_by_stype_total <- byres("svyby(~enroll, ~stype, dclus1, svytotal)", svyby(~enroll, ~stype, dclus1, svytotal), dclus1)
sub <- subset(dclus1, stype == "H")
res$dclus1_subset_H_mean <- stat("svymean(~api00, subset(dclus1, stype=='H'))", svymean(~api00, sub), sub)
for (m in c("logit", "beta")) {
  for (nm in c("dclus1", "dstrat", "subH")) {
    des <- switch(nm, dclus1 = dclus1, dstrat = dstrat, subH = sub)
    ci <- svyciprop(~I(sch.wide == "Yes"), des, method = m)
    res[[paste0("ciprop_", m, "_", nm)]] <- list(call = paste0("svyciprop(~I(sch.wide=='Yes'), ", nm, ", method='", m, "')"),
      estimate = list(p = as.numeric(ci)), se = list(p = sqrt(as.numeric(attr(ci, "var")))),
      ci = list(p = list(lower = attr(ci, "ci")[[1]], upper = attr(ci, "ci")[[2]])), df = degf(des))
  }
}
res$jk1_mean <- stat("svymean(~api00+enroll, as.svrepdesign(dclus1, 'JK1'))", svymean(~api00 + enroll, jk1), jk1)
res$jk1_total <- stat("svytotal(~enroll, jk1)", svytotal(~enroll, jk1), jk1)
res$jkn_mean <- stat("svymean(~api00+enroll, as.svrepdesign(dstrat, 'JKn'))", svymean(~api00 + enroll, jkn), jkn)
res$jkn_total <- stat("svytotal(~enroll, jkn)", svytotal(~enroll, jkn), jkn)
res$jkn_by_stype <- byres("svyby(~api00, ~stype, jkn, svymean)", svyby(~api00, ~stype, jkn, svymean), jkn)
r <- svyratio(~api00, ~api99, jk1)
res$jk1_ratio <- list(call = "svyratio(~api00, ~api99, jk1)", estimate = list(api00_api99 = coef(r)[[1]]), se = list(api00_api99 = SE(r)[[1]]), df = degf(jk1))
cal_rak <- calibrate(dsrs, ~stype + sch.wide, totals, calfun = "raking")
res$calib_raking_mean <- stat("svymean(~api00, calibrate(dsrs, ~stype+sch.wide, totals, calfun='raking'))", svymean(~api00, cal_rak), cal_rak)
res$calib_raking_by_stype <- byres("svyby(~api00, ~stype, cal_rak, svymean)", svyby(~api00, ~stype, cal_rak, svymean), cal_rak)
cal_log <- calibrate(dsrs, ~stype + sch.wide, totals, calfun = "logit", bounds = c(0.935, 1.05))
res$calib_logit_mean <- stat("svymean(~api00, calibrate(dsrs, ~stype+sch.wide, totals, calfun='logit', bounds=c(0.935,1.05)))", svymean(~api00, cal_log), cal_log)
res$calib_logit_weights <- list(call = "range(weights(cal_log))", estimate = list(min = min(weights(cal_log)), max = max(weights(cal_log)), sum = sum(weights(cal_log))), se = list(), df = degf(cal_log))
cal_lin_b <- calibrate(dsrs, ~stype + sch.wide, totals, calfun = "linear", bounds = c(0.935, 1.05))
res$calib_linear_bounded_mean <- stat("svymean(~api00, calibrate(dsrs, ~stype+sch.wide, totals, calfun='linear', bounds=c(0.935,1.05)))", svymean(~api00, cal_lin_b), cal_lin_b)
cal_clus <- calibrate(dclus1, ~stype + sch.wide, totals)
res$calib_dclus1_linear_mean <- stat("svymean(~api00, calibrate(dclus1, ~stype+sch.wide, totals))", svymean(~api00, cal_clus), cal_clus)
res$calib_dclus1_linear_total <- stat("svytotal(~enroll, calibrate(dclus1, ~stype+sch.wide, totals))", svytotal(~enroll, cal_clus), cal_clus)
rk_clus <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = list(maxit = 1000, epsilon = 1e-12))
res$rake_dclus1_mean <- stat("svymean(~api00, rake(dclus1, ~stype, ~sch.wide))", svymean(~api00, rk_clus), rk_clus)
res$rake_dclus1_total <- stat("svytotal(~enroll, rake(dclus1, ~stype, ~sch.wide))", svytotal(~enroll, rk_clus), rk_clus)
res$rake_dclus1_by_stype <- byres("svyby(~api00, ~stype, rk_clus, svymean)", svyby(~api00, ~stype, rk_clus, svymean), rk_clus)
ps_clus <- postStratify(dclus1, ~stype, pop.types)
res$poststrat_dclus1_mean <- stat("svymean(~api00, postStratify(dclus1, ~stype, pop.types))", svymean(~api00, ps_clus), ps_clus)
res$poststrat_dclus1_by_schwide <- byres("svyby(~api00, ~sch.wide, ps_clus, svymean)", svyby(~api00, ~sch.wide, ps_clus, svymean), ps_clus)
tr <- trimWeights(dstrat, upper = 40)
res$trim_dstrat_mean <- stat("svymean(~api00, trimWeights(dstrat, upper=40))", svymean(~api00, tr), tr)
out <- list(meta = list(generator = "make_reference_extra.R", R_version = R.version.string,
  survey_version = as.character(packageVersion("survey")), options = list(survey.lonely.psu = "fail", survey.replicates.mse = FALSE)),
  degf = list(jk1 = degf(jk1), jkn = degf(jkn), dclus2 = degf(dclus2), dclus2_nofpc = degf(dclus2_nofpc)),
  results = res)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "reference_r_survey_extra.json")
