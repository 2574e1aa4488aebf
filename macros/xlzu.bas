Attribute VB_Name = "xlzuButtons"
' xlzu: one macro per button on the console sheet.
' Each runs one Python function in xlzu.excel through xlwings (RunPython,
' from the xlwings module in this workbook; no add-in needed). Messages for
' the teacher come from Python; keep this file ASCII with CRLF line ends.
Option Explicit

' Import or clean up the roster pasted into the roster sheet
Sub ImportRoster()
    RunPython "import xlzu.excel as x; x.import_roster()"
End Sub

' Balanced groups, member codes, roles and seats
Sub AutoGroup()
    RunPython "import xlzu.excel as x; x.auto_group()"
End Sub

' Keep the groups as they are; redo codes, roles and seats
Sub ReassignRoles()
    RunPython "import xlzu.excel as x; x.reassign_roles()"
End Sub

' Daily sheets for today (saves the current ones first)
Sub MakeDaily()
    RunPython "import xlzu.excel as x; x.make_daily()"
End Sub

' Save the filled daily sheets into the record tables
Sub SaveDaily()
    RunPython "import xlzu.excel as x; x.save_daily()"
End Sub

' Export the daily sheets to PDF for printing
Sub PrintDaily()
    RunPython "import xlzu.excel as x; x.print_daily()"
End Sub

' Weekly rankings, star and devil groups, weekly history
Sub WeeklySummary()
    RunPython "import xlzu.excel as x; x.weekly_summary()"
End Sub

' Monthly stars and the multi-rater evaluation form
Sub MonthlyReview()
    RunPython "import xlzu.excel as x; x.monthly_review()"
End Sub

' Star group leaders, term awards and certificates
Sub TermReview()
    RunPython "import xlzu.excel as x; x.term_review()"
End Sub

' Comprehensive evaluation of every group this month
Sub GroupReview()
    RunPython "import xlzu.excel as x; x.group_review()"
End Sub

' Praise pictures (PNG) of the week's star group and the month's stars
Sub SharePoster()
    RunPython "import xlzu.excel as x; x.share_poster()"
End Sub
