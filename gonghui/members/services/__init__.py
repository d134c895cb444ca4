"""Every write to the member registry goes through these modules (DESIGN.md, rule 1):

- `registry`: add a membership, record an event, end a membership — the building blocks the
  others use, so that every change leaves a `MemberEvent`, an audit event and a coverage refresh;
- `joining`: online join applications and their review; `routes`: where applicants are sent;
- `transfers`: transfer requests between unions and leaving (退会);
- `selfservice`: what a member does to their own record;
- `imports`: roster import; `exports`: roster export.
"""
