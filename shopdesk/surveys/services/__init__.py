"""Every write of the surveys app."""

from shopdesk.surveys.services.authoring import dimension_add as dimension_add
from shopdesk.surveys.services.authoring import dimension_remove as dimension_remove
from shopdesk.surveys.services.authoring import dimension_update as dimension_update
from shopdesk.surveys.services.authoring import question_add as question_add
from shopdesk.surveys.services.authoring import question_move as question_move
from shopdesk.surveys.services.authoring import question_remove as question_remove
from shopdesk.surveys.services.authoring import question_update as question_update
from shopdesk.surveys.services.authoring import (
    questionnaire_copy_template as questionnaire_copy_template,
)
from shopdesk.surveys.services.authoring import questionnaire_create as questionnaire_create
from shopdesk.surveys.services.authoring import version_draft_create as version_draft_create
from shopdesk.surveys.services.authoring import version_update as version_update
from shopdesk.surveys.services.publishing import version_problems as version_problems
from shopdesk.surveys.services.publishing import version_publish as version_publish
from shopdesk.surveys.services.versions_base import PublishRefused as PublishRefused
from shopdesk.surveys.services.versions_base import VersionFrozen as VersionFrozen
