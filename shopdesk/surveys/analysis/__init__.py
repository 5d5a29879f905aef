"""Survey analysis: pure functions over numpy arrays (no ORM), also run on any CSV by
`shopdesk survey analyze`. See docs/users/survey-analysis.md for the formulas."""

from shopdesk.surveys.analysis.csvfile import analyze_csv as analyze_csv
from shopdesk.surveys.analysis.csvfile import read_csv_table as read_csv_table
from shopdesk.surveys.analysis.drivers import KeyDrivers as KeyDrivers
from shopdesk.surveys.analysis.drivers import key_drivers as key_drivers
from shopdesk.surveys.analysis.drivers import ols as ols
from shopdesk.surveys.analysis.drivers import pearson as pearson
from shopdesk.surveys.analysis.drivers import relative_weights as relative_weights
from shopdesk.surveys.analysis.drivers import shapley_r2 as shapley_r2
from shopdesk.surveys.analysis.scores import csat as csat
from shopdesk.surveys.analysis.scores import dimension_score as dimension_score
from shopdesk.surveys.analysis.scores import distribution as distribution
from shopdesk.surveys.analysis.scores import effort_score as effort_score
from shopdesk.surveys.analysis.scores import guess_scale as guess_scale
from shopdesk.surveys.analysis.scores import nps as nps
from shopdesk.surveys.analysis.scores import satisfaction_index as satisfaction_index
from shopdesk.surveys.analysis.scores import score_100 as score_100
from shopdesk.surveys.analysis.scores import top2_share as top2_share
from shopdesk.surveys.analysis.segments import segment_compare as segment_compare
from shopdesk.surveys.analysis.themes import themes as themes
from shopdesk.surveys.analysis.trend import trend as trend
