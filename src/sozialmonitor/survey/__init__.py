"""Survey statistics: designs, weighting and design-based estimation that agree with R's survey package."""

from sozialmonitor.survey.design import SurveyDesign, survey_design
from sozialmonitor.survey.estimation import (
    SurveyEstimate,
    by_domain,
    ciprop,
    crosstab,
    mean,
    proportion,
    ratio,
    total,
)
from sozialmonitor.survey.replicate import ReplicateDesign, as_replicate_design
from sozialmonitor.survey.weighting import (
    adjust_nonresponse,
    calibrate,
    design_weights,
    poststratify,
    rake,
    trim_weights,
)

__all__ = [
    "ReplicateDesign",
    "SurveyDesign",
    "SurveyEstimate",
    "adjust_nonresponse",
    "as_replicate_design",
    "by_domain",
    "calibrate",
    "ciprop",
    "crosstab",
    "design_weights",
    "mean",
    "poststratify",
    "proportion",
    "rake",
    "ratio",
    "survey_design",
    "total",
    "trim_weights",
]
