from django.urls import path

from reporting import followup, journey, send, views

app_name = "reporting"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("exit/", views.quick_exit, name="quick_exit"),
    path("advice/", views.advice_list, name="advice_list"),
    path("advice/<slug:slug>/", views.advice_page, name="advice"),
    path("report/", journey.start, name="report_start"),
    path("report/evidence/", journey.evidence_upload_view, name="report_evidence"),
    path("report/check/", journey.review, name="report_review"),
    path("report/send/", send.submit, name="report_submit"),
    path("report/receipt/", send.receipt, name="report_receipt"),
    path("report/receipt/check/", send.receipt_check, name="receipt_check"),
    path("report/<slug:slug>/", journey.step_view, name="report_step"),
    path("follow-up/", followup.login, name="followup_login"),
    path("follow-up/case/", followup.case_view, name="followup_case"),
    path("follow-up/case/message/", followup.send_message, name="followup_message"),
    path("follow-up/case/evidence/", followup.add_evidence, name="followup_evidence"),
    path("follow-up/case/reference/", followup.record_reference, name="followup_reference"),
    path("follow-up/case/feedback/", followup.send_feedback, name="followup_feedback"),
    path("follow-up/case/withdraw/", followup.withdraw, name="followup_withdraw"),
    path("follow-up/leave/", followup.leave, name="followup_leave"),
]
