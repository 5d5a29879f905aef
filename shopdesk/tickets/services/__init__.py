"""Every write to tickets. Import from here; the modules behind are an implementation detail."""

from shopdesk.tickets.services.assignment import ticket_assign as ticket_assign
from shopdesk.tickets.services.assignment import ticket_route as ticket_route
from shopdesk.tickets.services.assignment import tickets_route_waiting as tickets_route_waiting
from shopdesk.tickets.services.attachments import IncomingFile as IncomingFile
from shopdesk.tickets.services.attachments import RefusedFile as RefusedFile
from shopdesk.tickets.services.base import ticket_save as ticket_save
from shopdesk.tickets.services.closing import ticket_complain as ticket_complain
from shopdesk.tickets.services.closing import ticket_rate as ticket_rate
from shopdesk.tickets.services.closing import tickets_auto_close as tickets_auto_close
from shopdesk.tickets.services.compensation import compensation_decide as compensation_decide
from shopdesk.tickets.services.compensation import compensation_request as compensation_request
from shopdesk.tickets.services.handoff import ticket_hand_off as ticket_hand_off
from shopdesk.tickets.services.handoff import ticket_take_back as ticket_take_back
from shopdesk.tickets.services.intake import IntakeResult as IntakeResult
from shopdesk.tickets.services.intake import TicketIntake as TicketIntake
from shopdesk.tickets.services.intake import ticket_create as ticket_create
from shopdesk.tickets.services.macros import macro_render as macro_render
from shopdesk.tickets.services.messages import MessageResult as MessageResult
from shopdesk.tickets.services.messages import ticket_customer_message as ticket_customer_message
from shopdesk.tickets.services.messages import ticket_note as ticket_note
from shopdesk.tickets.services.messages import ticket_reply as ticket_reply
from shopdesk.tickets.services.sla_scan import ticket_sla_scan as ticket_sla_scan
from shopdesk.tickets.services.status import ticket_transition as ticket_transition
from shopdesk.tickets.services.tags import ticket_tag_add as ticket_tag_add
