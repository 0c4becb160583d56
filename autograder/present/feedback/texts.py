"""The feedback pages' words in Japanese and English: the page texts and the neutral explanation of each flag kind.

Values only (no logic). Standard library only; imports nothing.
"""
from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "lang": "ja", "lp": "（", "rp": "）", "sep": "、", "feedback": "採点結果", "student": "学籍番号", "file": "ファイル",
        "score": "点数",
        "points_unit": " 点", "check": "チェック", "points": "点", "result": "結果", "reason": "理由", "cell": "セル",
        "pass": "合格", "fail": "不合格", "missing": "見つからない", "error": "採点側のエラー（教員が確認）", "no_cell": "—",
        "mark_pass": "✓", "mark_fail": "✗", "mark_missing": "？", "mark_error": "！",
        "checks_title": "チェックごとの結果",
        "hidden_line": "このほかに非公開のチェックが {n} 個あり、合わせて {points} / {max} 点でした（内容は公開していません）。",
        "static_note": "この採点は、保存されたノートブックの出力とコードを読んで行いました（ノートブックは実行していません）。"
                       "セル番号は、ノートブックの先頭のセルを 0 として数えた位置です。",
        "error_title": "採点できませんでした",
        "curves_title": "学習曲線（提出されたノートブックの学習記録から描き直したもの）",
        "curves_none": "学習の記録（model.fit のログ、または print(history.history) の出力）が見つからないため、学習曲線は描けません。",
        "run": "学習 {i}", "from_fit": "model.fit のログ", "from_history": "history の出力",
        "epoch": "エポック", "loss_chart": "損失（loss）", "acc_chart": "正解率（accuracy）",
        "best_mark": "最良 {epoch}", "best_epoch": "最良のエポック（val_loss が最小）",
        "final_loss": "最後の loss", "final_val_loss": "最後の val_loss", "gap": "最後の差 val_loss − loss",
        "epochs": "エポック数",
        "test_accuracy": "テスト正解率", "test_accuracy_none": "見つかりませんでした",
        "gpu_title": "GPU の判定", "gpu_verdict": "判定",
        "verdict_gpu": "GPU で実行", "verdict_cpu": "CPU で実行", "verdict_unknown": "不明",
        "gpu_explain": "判定は、保存された出力（GPU 確認のセルの表示、TensorFlow のログ、学習の速さ）と"
                       "ノートブックのメタデータを根拠にしています。",
        "signal_where": "場所", "signal_kind": "種類", "signal_text": "内容", "signal_points": "示すもの",
        "metadata": "メタデータ", "points_gpu": "GPU", "points_cpu": "CPU", "points_none": "参考",
        "no_signals": "根拠になる出力は見つかりませんでした。",
        "flags_title": "確認のお知らせ",
        "flags_intro": "以下は不正の判定ではありません。自動の採点だけでは判断できないことがあったため、"
                       "担当の教員が内容を確認するという印です。"
                       "この印だけで点数が変わることはありません。心当たりがあれば、担当の教員に相談してください。",
        "flag_cells": "関係するセル", "other_submission": "ほかの提出",
        "generated": "kadai-autograder が生成したページです。",
        # index
        "overview": "クラスの概要",
        "instructor_only": "教員用のページです。全員の点数が載っているので、学生には各自のページだけを渡してください。",
        "submissions": "提出数", "graded": "採点", "errors": "エラー", "flagged": "フラグ付き",
        "mean": "平均", "median": "中央値", "min": "最低", "max": "最高",
        "score_dist": "点数の分布", "score_axis": "点数", "count_axis": "人数",
        "acc_hist": "テスト正解率の分布", "acc_axis": "テスト正解率", "threshold": "基準 {value}",
        "acc_missing": "テスト正解率が見つからなかった提出: {n} 件",
        "overfit_title": "過学習の表（val_loss が最小のエポックと、最後のエポックの val_loss − loss）",
        "overfit_none": "val_loss のある学習の記録がありません。",
        "since_best": "最良の後のエポック数",
        "flagged_title": "フラグ付きの提出", "flag_kind": "種類", "flag_message": "内容", "related": "関係するファイル",
        "none": "ありません。",
        "all_title": "すべての提出", "status": "状態", "status_graded": "採点済み", "status_error": "エラー", "name": "氏名",
        "page": "ページ", "open": "開く",
        "check_rates": "チェックごとの合格数", "hidden_omitted": "非公開のチェック {n} 個はこのページに載せていません。",
    },
    "en": {
        "lang": "en", "lp": " (", "rp": ")", "sep": ", ", "feedback": "Feedback", "student": "Student ID", "file": "File", "score": "Score",
        "points_unit": " points", "check": "Check", "points": "Points", "result": "Result", "reason": "Reason", "cell": "Cell",
        "pass": "pass", "fail": "fail", "missing": "not found", "error": "grader error (to review)", "no_cell": "—",
        "mark_pass": "✓", "mark_fail": "✗", "mark_missing": "?", "mark_error": "!",
        "checks_title": "Result of each check",
        "hidden_line": "{n} more checks are not published; together they gave {points} / {max} points.",
        "static_note": "This grade was made by reading the saved outputs and code of the notebook (it was not run). "
                       "Cell numbers count the notebook's cells from 0 at the top.",
        "error_title": "Your file could not be graded",
        "curves_title": "Learning curves (re-drawn from the training record in your notebook)",
        "curves_none": "No training record (a model.fit log or printed history.history) was found, so no learning curves can be drawn.",
        "run": "Training run {i}", "from_fit": "model.fit log", "from_history": "printed history",
        "epoch": "epoch", "loss_chart": "loss", "acc_chart": "accuracy",
        "best_mark": "best {epoch}", "best_epoch": "best epoch (lowest val_loss)",
        "final_loss": "last loss", "final_val_loss": "last val_loss", "gap": "last gap val_loss − loss",
        "epochs": "epochs",
        "test_accuracy": "Test accuracy", "test_accuracy_none": "not found",
        "gpu_title": "GPU verdict", "gpu_verdict": "Verdict",
        "verdict_gpu": "ran on a GPU", "verdict_cpu": "ran on a CPU", "verdict_unknown": "unknown",
        "gpu_explain": "The verdict rests on the saved outputs (the GPU-check cell, TensorFlow's logs, the training speed) "
                       "and the notebook's metadata.",
        "signal_where": "Where", "signal_kind": "Kind", "signal_text": "Text", "signal_points": "Suggests",
        "metadata": "metadata", "points_gpu": "GPU", "points_cpu": "CPU", "points_none": "context",
        "no_signals": "No output that tells the device was found.",
        "flags_title": "Notes for review",
        "flags_intro": "These notes are not an accusation. They mark something automatic grading cannot decide, so an "
                       "instructor will look at it. A note by itself does not change your score. If you know the reason, "
                       "tell your instructor.",
        "flag_cells": "cells", "other_submission": "another submission",
        "generated": "Generated by kadai-autograder.",
        "overview": "Class overview",
        "instructor_only": "For instructors: this page lists everyone's score. Give each student only their own page.",
        "submissions": "Submissions", "graded": "graded", "errors": "errors", "flagged": "flagged",
        "mean": "mean", "median": "median", "min": "min", "max": "max",
        "score_dist": "Score distribution", "score_axis": "score", "count_axis": "students",
        "acc_hist": "Test accuracy", "acc_axis": "test accuracy", "threshold": "threshold {value}",
        "acc_missing": "Submissions without a test accuracy: {n}",
        "overfit_title": "Over-fitting (the epoch with the lowest val_loss, and val_loss − loss at the last epoch)",
        "overfit_none": "No training record has val_loss.",
        "since_best": "epochs after the best",
        "flagged_title": "Flagged submissions", "flag_kind": "Kind", "flag_message": "Message", "related": "Related files",
        "none": "None.",
        "all_title": "All submissions", "status": "Status", "status_graded": "graded", "status_error": "error", "name": "Name",
        "page": "Page", "open": "open",
        "check_rates": "Passes per check", "hidden_omitted": "{n} unpublished checks are not listed on this page.",
    },
}

# Neutral explanations of each flag kind: what was seen and that a person will look at it.
FLAG_EXPLAIN: dict[str, dict[str, str]] = {
    "ja": {
        "not_executed": "保存されたノートブックに実行結果がありません。この採点は保存された出力を読むため、確認が必要です。",
        "error_output": "エラーで止まったセルがあります。その後のセルの結果に影響していないか確認します。",
        "tampered_output": "保存された出力の一部が、ふつうの実行で出る形と違って見えます。"
                           "保存や変換の途中で起こることもあるため、確認します。",
        "collusion": "ほかの提出とよく似た箇所があります。同じ教材や例を使えば似ることもあるため、確認します。",
        "out_of_order": "セルが上から順に実行されていません。結果が最後のコードと合っているか確認します。",
        "late": "提出期限の後に届いたようです。事情があることもあるため、確認します。",
        "metadata_lost": "配布時にセルに付いていた情報（nbgrader のメタデータ）が失われています。"
                         "Colab での編集などで起こることで、採点用に復元します。",
        "implausible": "結果の数値の組み合わせが、ふつうの実行ではあまり見られないものです。点数は変わりません。確認します。",
        "gpu_conflict": "GPU で実行したかどうかを示す出力どうしが食い違っています。どちらが正しいか、確認します。",
        "locked_changed": "配布したときの変更できないセルが、消されたか書き換えられています。確認します。",
        "": "自動の採点では判断できないことがあったため、確認します。",
    },
    "en": {
        "not_executed": "The saved notebook has no results of running it. This grading reads saved outputs, so a person will check.",
        "error_output": "A cell stopped with an error. A person will check whether it affected later results.",
        "tampered_output": "Part of a saved output looks different from what a normal run prints. "
                           "Saving or converting can do this, so a person will check.",
        "collusion": "Parts look very similar to another submission. "
                     "Using the same materials or examples can do this, so a person will check.",
        "out_of_order": "The cells were not run from top to bottom. A person will check that the results match the final code.",
        "late": "It seems to have arrived after the deadline. There may be a reason, so a person will check.",
        "metadata_lost": "The cell information added when the assignment was released (nbgrader metadata) was lost, "
                         "as editing in Colab can do; it is restored for grading.",
        "implausible": "Some results are an unusual combination for a normal run. The score does not change; a person will check.",
        "gpu_conflict": "The outputs that show whether it ran on a GPU disagree with each other, so a person will check.",
        "locked_changed": "A read-only cell of the released notebook was deleted or changed, so a person will check.",
        "": "Automatic grading could not decide something, so a person will check.",
    },
}

