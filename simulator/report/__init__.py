"""Report: what people read and forward: the HTML report, the workbook, CSVs, the terminal."""
