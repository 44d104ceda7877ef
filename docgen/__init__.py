"""Word filings: forms 附3–附7, the 文字材料, flow charts (一图) in Word and as SVG, 公文 page setup.

forms.py names the filings and their templates (templates/, written by template_build.py and
editable in Word); data.py and contexts.py read what a viewer may see; filing.py renders a
filing; chart.py lays out a flow chart, which chart_docx.py draws in Word and svg.py as SVG.
"""
