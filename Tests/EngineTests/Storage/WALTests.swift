import Foundation
import Testing
@testable import Engine

@Suite struct WALTests {
    @Test func recordsSurviveReopen() throws {
        let dir = TempDir()
        do {
            let (wal, records) = try WAL.open(dir: dir.path + "/wal", logger: testLogger)
            #expect(records.isEmpty)
            for seq in 1...5 { try wal.append(seq: UInt64(seq), body: Array(repeating: UInt8(seq), count: seq * 10)) }
            try wal.sync()
        }
        let (_, records) = try WAL.open(dir: dir.path + "/wal", logger: testLogger)
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(records[2].body == Array(repeating: 3, count: 30))
    }

    @Test func tornTailIsDroppedAndLogStaysAppendable() throws {
        let dir = TempDir()
        let walDir = dir.path + "/wal"
        let path: String
        do {
            let (wal, _) = try WAL.open(dir: walDir, logger: testLogger)
            for seq in 1...3 { try wal.append(seq: UInt64(seq), body: [1, 2, 3, 4]) }
            path = wal.path
        }
        // A crash mid-write: half a frame, then garbage.
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data([20, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2]))
        handle.closeFile()
        do {
            let (wal, records) = try WAL.open(dir: walDir, logger: testLogger)
            #expect(records.map(\.seq) == [1, 2, 3])
            try wal.append(seq: 4, body: [9])
        }
        let (_, records) = try WAL.open(dir: walDir, logger: testLogger)
        #expect(records.map(\.seq) == [1, 2, 3, 4])
    }

    @Test func corruptedRecordStopsReplayThere() throws {
        let dir = TempDir()
        let walDir = dir.path + "/wal"
        let path: String
        do {
            let (wal, _) = try WAL.open(dir: walDir, logger: testLogger)
            for seq in 1...3 { try wal.append(seq: UInt64(seq), body: [UInt8](repeating: 7, count: 16)) }
            path = wal.path
        }
        var bytes = try FileIO.readAll(path)
        bytes[bytes.count - 3] ^= 0xff  // flip a bit in the last record's body
        try FileIO.writeAtomically(bytes, to: path)
        let (_, records) = try WAL.open(dir: walDir, logger: testLogger)
        #expect(records.map(\.seq) == [1, 2])
    }

    @Test func resetStartsEmpty() throws {
        let dir = TempDir()
        let (wal, _) = try WAL.open(dir: dir.path + "/wal", logger: testLogger)
        try wal.append(seq: 1, body: [1])
        try wal.reset(nextSeq: 2)
        try wal.append(seq: 2, body: [2])
        let (_, records) = try WAL.open(dir: dir.path + "/wal", logger: testLogger)
        #expect(records.map(\.seq) == [2])
        #expect(FileIO.listDirectory(dir.path + "/wal").count == 1)
    }
}
