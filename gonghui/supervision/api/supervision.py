"""REST API of labour-law supervision (/api/v1/supervision), one sub-router per concern:
/inspections (with findings and workflow steps), /notices (with PDFs and follow-ups),
/interviews and /supervisors. Reads need rights.view, writes rights.handle on the union
concerned; errors are `{code, message, fields}`."""

from ninja import Router

from gonghui.supervision.api import inspections, interviews, notices, supervisors

router = Router(tags=["supervision"])
router.add_router("/inspections", inspections.router)
router.add_router("/notices", notices.router)
router.add_router("/interviews", interviews.router)
router.add_router("/supervisors", supervisors.router)
