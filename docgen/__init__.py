"""Word filings: forms 附3–附7, the 一件, the 文字材料, flow charts (一图) in Word and as SVG, 公文 page
setup, and the PDF of each.

forms.py names the filings and their templates (templates/, written by template_build.py and
editable in Word); data.py and contexts.py read what a viewer may see; filing.py renders a
filing, sizing its tables' columns with columns.py; chart.py lays out a flow chart, which svg.py
draws as SVG, chart_picture.py turns into a picture and chart_docx.py puts on a Word page; pdf.py
prints a filing with LibreOffice.
"""
