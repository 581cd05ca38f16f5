import LakeQuery

/// The questions lake answers out of the box (schemas/questions.json, carried in the binary by
/// scripts/gen-builtins), so `lake query "top tracks by region"` works from any folder.
enum BuiltinQuestions {
    static let book: QuestionBook = try! QuestionBook.parse(BuiltinSchemas.files.first { $0.path == "questions.json" }!.text)
}
